"""IMP rates, envelopes, awards and payment schedules: built by the IMP issue."""
