"""Getting messages to people exactly once: the channel-neutral message types (`messages`),
the transactional outbox and its worker (`outbox`), the router from a recipient to its chat
accounts (`router`), messages held until their recipient writes again (`held`), the
per-delivery claims (`dedup`), turns kept until they are saved (`pending`), and the values
every worker shares (`shared`; the store's tables or Redis in each)."""
