"""Tables, migrations, one repository module per aggregate, and bulk ingest."""
