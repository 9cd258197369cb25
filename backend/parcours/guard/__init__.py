"""Anti-spam and rate limits for the public inbound endpoints (forms, landing pages, tracking).

Part of the base: it knows no feature. `antispam` judges a submission (pure), `proof` issues and
checks ALTCHA proofs of work, `ratelimit` counts hits in Redis, `markup` writes the hidden fields
and the widget into a public page, `routes` serves the challenge and the widget's script.
"""
