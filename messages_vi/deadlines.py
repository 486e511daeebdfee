"""Sentences of the deadlines feature, by key (merged into messages_vi.t)."""

MESSAGES: dict[str, str] = {}
