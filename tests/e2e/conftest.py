"""Browser tests: skipped unless NER_E2E=1 (`make test-e2e`)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives a real Airflow with headless Chromium (NER_E2E=1)")
