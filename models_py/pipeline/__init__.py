"""The pipeline runner: one run lock, data, `dbt build`, publish, report and summary in order
(`python -m models_py run`)."""
