"""Operating the bot: the health and metrics HTTP endpoint (http.py) and log context (logs.py)."""
