"""Russian text checks of drafts and incoming messages (pure: no web, DB, queue or HTTP)."""
