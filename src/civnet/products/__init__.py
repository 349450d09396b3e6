"""Products: compose measures into tables, files, reports and services. No analysis here."""
