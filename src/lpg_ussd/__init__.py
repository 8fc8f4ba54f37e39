"""lpg-ussd: a USSD self-service line for LPG distributors."""

__version__ = "0.1.0"
