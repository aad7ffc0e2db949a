# The printable book (issue 17): make pdf writes build/pdf/pcbook.pdf (solutions in an appendix)
# and build/pdf/pcbook-student.pdf (no solutions), both from the same notebooks and stored outputs,
# through Jupyter Book's pdflatex builder (sphinx-jupyterbook-latex: latexmk + xelatex), and copies
# them into build/downloads for the website. make pdf-test builds them and runs tests/pdf.
# The two editions share one Sphinx environment (the notebooks are read once); the edition is the
# pcbook_edition setting of tools/latex_pcbook.py, taken from PCBOOK_EDITION.
.PHONY: pdf pdf-test provision-tex
PDF_DIR := build/pdf
PDF_TREE := $(PDF_DIR)/tree
PDF_LATEX := $(PDF_TREE)/_build/latex
PDF_SOURCES = _config.yml _toc.yml $(wildcard book/*.ipynb book/*.md book/*.bib) \
  tools/latex_pcbook.py tools/sphinx_pcbook.py pcbook/classroom/index.py
PDFS := $(PDF_DIR)/pcbook.pdf $(PDF_DIR)/pcbook-student.pdf

pdf: provision-tex $(PDFS) build/downloads/pcbook.pdf build/downloads/pcbook-student.pdf

provision-tex:
	@tools/provision.sh tex

# make test checks (and in CI installs) TeX with the browser, before anything slow starts
provision-test: provision-tex

# one edition: build into the shared tree, then keep its PDF and its LaTeX log
define pdf_edition
	@mkdir -p $(PDF_DIR)
	$(QUIET) PCBOOK_EDITION=$(1) $(VENV)/bin/jupyter-book build . --builder pdflatex \
	  --path-output $(PDF_TREE) > $(PDF_DIR)/$(2).build.log 2>&1 \
	  || { tail -40 $(PDF_DIR)/$(2).build.log; exit 1; }
	cp $(PDF_LATEX)/pcbook.pdf $(PDF_DIR)/$(2).pdf
	cp $(PDF_LATEX)/pcbook.log $(PDF_DIR)/$(2).log
	@echo "wrote $(PDF_DIR)/$(2).pdf ($$(pdfinfo $(PDF_DIR)/$(2).pdf | sed -n 's/^Pages: *//p') pages, $$(du -h $(PDF_DIR)/$(2).pdf | cut -f1))"
endef

# the student edition is built after the teacher's (one tree, one build at a time)
$(PDF_DIR)/pcbook.pdf: $(PDF_SOURCES) | $(STAMP)
	@tools/provision.sh tex
	$(QUIET) $(PY) -m pcbook.classroom index --write
	$(call pdf_edition,teacher,pcbook)

$(PDF_DIR)/pcbook-student.pdf: $(PDF_DIR)/pcbook.pdf
	$(call pdf_edition,student,pcbook-student)

build/downloads/%.pdf: $(PDF_DIR)/%.pdf
	@mkdir -p build/downloads
	cp $< $@

pdf-test: pdf
	$(QUIET) $(PY) -m pytest tests/pdf -p no:cacheprovider

# The website links both PDFs (front page, exercises page), served from build/downloads like the
# student notebooks zip. make book builds them first when TeX is installed (make test installs it
# before anything slow, so its website always has them); without TeX, make book says so and the
# website's two PDF links stay unresolved until make pdf has run.
HAVE_TEX := $(shell PCBOOK_PROVISION=check tools/provision.sh tex >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_TEX),yes)
book: pdf
else
book: pdf-note
endif

.PHONY: pdf-note
pdf-note:
	@echo "note: no TeX here, so the website is built without its two PDFs (make pdf installs TeX or says how)"
