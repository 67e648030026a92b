"""Regional figures, charts and the weekly report (周报) for association staff.

`figures` computes the numbers in SQL (SQLite and PostgreSQL alike), `topics` clusters what the
assistant could not answer or match, `charts` draws them (matplotlib, imported lazily), and
`weekly` puts them together for `kejiyun report weekly` and the console.
"""
