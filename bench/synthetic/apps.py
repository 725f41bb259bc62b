from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Installed only by bench/tenancy_settings.py: one throwaway migration the tenancy bench
    applies across every tenant (and takes back), as a release's new column would be."""

    name = "bench.synthetic"
    label = "bench_synthetic"
