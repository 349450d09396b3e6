"""civnet serve: the FastAPI application and its shared, bounded worker pool."""
