# Go Concurrency Lab — the two commands a reader needs are `make lab` and `make test`.
SHELL := /bin/bash
GOBIN := $(shell go env GOBIN 2>/dev/null)
ifeq ($(GOBIN),)
GOBIN := $(shell go env GOPATH 2>/dev/null)/bin
endif
export PATH := $(GOBIN):$(PATH)
JUPYTER_PY = $(shell cat build/jupyter-python 2>/dev/null || echo python3)

.PHONY: help setup lab test test-go test-notebooks test-browser check-notebooks slides html bench clean git-filter

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## install GoNB, Jupyter and browser assets (idempotent)
	@bash scripts/setup.sh

lab: setup ## set up, then open the lab in Jupyter on 127.0.0.1
	@bash scripts/lab.sh

test: setup ## every check: format, vet, go test -race, notebooks in a real kernel
	@bash scripts/test.sh

test-go: ## only the Go checks (no Jupyter needed)
	@LAB_TEST_STEPS=go bash scripts/test.sh

check-notebooks: ## static notebook checks only (outputs stripped, kernelspec, exercises)
	@$(JUPYTER_PY) scripts/run_notebooks.py --check-only

test-notebooks: ## execute notebooks (all, or NB="notebooks/01_goroutines.ipynb")
	@$(JUPYTER_PY) scripts/run_notebooks.py $(NB)

test-browser: setup ## slide decks and the live front end in headless Chromium, network blocked
	@bash scripts/test-browser.sh || [ $$? -eq 77 ] # 77: skipped (no Chromium), as it said

slides: setup ## execute every notebook, export reveal.js decks to build/slides/ (work offline)
	@$(JUPYTER_PY) scripts/slides.py $(NB)

html: setup ## execute every notebook, export plain HTML to build/html/ (works offline)
	@$(JUPYTER_PY) scripts/slides.py --to html $(NB)

bench: ## benchmarks that print speedups and ratios measured in one run
	go test -run '^$$' -bench . -benchmem -count 1 -timeout 30m ./...

git-filter: setup ## strip notebook outputs when you commit (registers nbstripout for this clone)
	git config filter.nbstripout.clean "'$(CURDIR)/.venv/bin/nbstripout' --keep-id"
	git config filter.nbstripout.smudge cat
	git config filter.nbstripout.required true
	@echo "nbstripout strips notebooks/*.ipynb outputs on git add (see .gitattributes)"

clean: ## remove generated files (executed notebooks, HTML, slides, logs)
	rm -rf build notebooks/_assets
