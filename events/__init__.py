"""The DANE's events, their registrations and .ics files."""
