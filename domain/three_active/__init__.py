""""3 chủ động" (seed 004): the yearly cycle of a grassroots unit's plan.

By 15/10 a grassroots unit registers next year's plan in three parts, each with concrete items
(`plan.py`, a conversation kept in storage); the level above follows who has registered, reviews
each item as achieved or not and decides the recognition (`review.py`); the plan and the
recognition decision are written as the seed's two templates (`documents.py`); and the level
above's digest shows the registrations and the recognitions (`digest.py`). The rules of the
cycle (who registers, which year, the dates) are in `rules.py`.
"""
