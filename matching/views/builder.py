"""Placeholder: the questionnaire builder's views are being written."""
