"""Enrichment: components that read canonical records and write enrichments."""
