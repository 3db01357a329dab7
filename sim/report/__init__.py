"""A study report: one self-contained HTML file for any result folder govsim writes.

``build_report(folder)`` writes ``folder/report.html`` (figures embedded as base64 PNGs, styles
inline, no network access needed). The page is rendered by jinja2 templates with autoescaping
(``templates/``): the Python code gathers plain values and never writes markup, so a name from a
scenario is always shown as text, whatever characters it holds. Its sections follow the STRESS-DES reporting guideline for
discrete-event simulation studies (Monks et al., 2018, *Journal of Simulation* 13(1)):

1. objectives: the question, the outputs and how they are measured;
2. scenarios: what was run, and how the scenarios differ (a key-path diff of the *resolved*
   configurations, see ``sim.scenario.diff``);
3. logic: a description of the case flow, generated from the scenario itself so it cannot drift
   from what was simulated;
4. data and assumptions: every documented parameter with the comment of the scenario file that
   sets it (its source, or ASSUMPTION), read from the YAML files with ruamel.yaml;
5. experimentation: replications, warm-up, run length, seeds, common random numbers;
6. implementation: package versions, git commit, command, timings (from ``manifest.json``);
7. results: tables with confidence intervals (each linked to its CSV), the figures with
   captions saying what they show (each scenario's folded), pool utilisation, Little's law.

The key results (the comparison, the sweep or the run's summary) come first, above section 1.
A ``govsim city`` or ``govsim ablate`` folder gets a page of its own (``city_page``,
``ablation_page``), and so does a sensitivity or robustness folder (``design``).

Modules, in the order the report is made:

``folders``         read a run, compare or sweep folder (manifests, tables) into a ``Study``
``scenario_files``  find the YAML file each scenario was loaded from
``comments``        read a YAML file's comments by key path (ruamel.yaml)
``text``, ``flow``  values in words; the case flow generated from a scenario
``html``            the template environment and what templates draw (tables, highlighted
                    text, embedded figures); ``templates/`` the page, its sections and style
``overview`` (1-2), ``logic`` (3), ``data`` (4), ``method`` (5-6), ``results`` (7): the sections
``captions``        what each figure shows
``city_page``, ``ablation_page``, ``page``, ``design``: the pages of the other folder kinds
``document``        the whole page, and ``build_report`` that writes it
"""

from sim.report.comments import YamlComments, comment_chain, read_yaml_comments
from sim.report.data import data_section, node_text, parameter_rows
from sim.report.document import STRESS_DES, build_report, render_report
from sim.report.flow import Paragraph, case_flow_paragraphs, case_routes
from sim.report.folders import RunFolder, Study, read_run, read_study
from sim.report.html import Figure, Segment, Table, png_figure, render, table, tag_sources
from sim.report.logic import logic_section
from sim.report.method import experimentation_section, implementation_section
from sim.report.overview import objectives_section, scenarios_section
from sim.report.results import fmt_ci, results_section, summary_display
from sim.report.scenario_files import find_scenario_files
from sim.report.text import describe_distribution

__all__ = [
    "STRESS_DES", "Figure", "Paragraph", "RunFolder", "Segment", "Study", "Table",
    "YamlComments", "build_report", "case_flow_paragraphs", "case_routes", "comment_chain",
    "data_section", "describe_distribution", "experimentation_section", "find_scenario_files",
    "fmt_ci", "implementation_section", "logic_section", "node_text", "objectives_section",
    "parameter_rows", "png_figure", "read_run", "read_study", "read_yaml_comments", "render",
    "render_report", "results_section", "scenarios_section", "summary_display", "table",
    "tag_sources",
]
