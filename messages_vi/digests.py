"""Sentences of the digests feature, by key (merged into messages_vi.t)."""

MESSAGES: dict[str, str] = {}
