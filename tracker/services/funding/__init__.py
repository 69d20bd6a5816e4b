"""Money: funding sources, allocations, gaps rolled up, sustainability risks."""
