"""Crisis alerts: detectors over the enriched stream, the alert lifecycle, notifications."""
