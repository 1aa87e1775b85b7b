"""The Telegram bot: python-telegram-bot v22 handlers over the lapor-bridge services."""
