"""Change over time: periods, the timeline of the core factors, and what the data's coverage allows."""
