"""The embedded demo estate: emulators on loopback (moto, Cloud Storage, our BigQuery) and a seeder."""
