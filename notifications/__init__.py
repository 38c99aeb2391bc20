"""E-mails sent once (SentEmail), each académie's reminder calendar and the registry of reminder kinds."""
