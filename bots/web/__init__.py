"""Read-only web pages and the Telegram Mini App sharing form (Starlette + Jinja2, served by uvicorn)."""
