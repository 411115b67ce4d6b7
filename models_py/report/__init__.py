"""The HTML report (`python -m models_py.report`): one self-contained file from the served file."""

from models_py.report.build import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]
