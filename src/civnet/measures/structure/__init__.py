"""Size, cohesion and groups: components, density, communities, E-I, group labels, diversity, centralities."""
