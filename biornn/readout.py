"""The linear readout shared by every model (being written by the lead)."""
