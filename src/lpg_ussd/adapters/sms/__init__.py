"""sms adapters."""
