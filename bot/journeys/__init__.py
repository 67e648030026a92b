"""The journeys of DESIGN.md §1, one module each, behind the state → step table in
`router.py`: `ask` (科普 questions), `need` (intake, card, publish), `offers` (the scientist's
side of an offer), `register` (self-registration, bind, link), `account` (my needs, rating,
erasure). A new journey is a new module with its `TEXT`, `BUTTONS` (and `COMMANDS`) tables,
added to `router.JOURNEYS`."""
