"""Inter-coder agreement, pure: label-sequence coefficients, the unit model, per-code reports.

- :mod:`.agreement` — percent agreement, Cohen's kappa, Scott's pi, Fleiss' kappa, Gwet's AC1,
  Brennan-Prediger, Krippendorff's alpha on labels (checked against published examples);
- :mod:`.binary` — the same for coded / not-coded units, from counts;
- :mod:`.units` — documents' codings as character or paragraph units;
- :mod:`.comparison` — the per-code agreement table (``compare``);
- :mod:`.disagreement` — regions where two coders disagree, for review;
- :mod:`.bootstrap` — confidence intervals resampling documents;
- :mod:`.synthetic` — generated codings for benchmarks and tests.
"""

from qualcode.stats.comparison import AgreementReport, CodeAgreement, DocumentRow, compare
from qualcode.stats.disagreement import Disagreement, disagreements
from qualcode.stats.units import CoderSpans, DocumentLayers

__all__ = [
    "AgreementReport",
    "CodeAgreement",
    "CoderSpans",
    "Disagreement",
    "DocumentLayers",
    "DocumentRow",
    "compare",
    "disagreements",
]
