"""Technology adapters: everything process-specific lives here and nowhere else."""
