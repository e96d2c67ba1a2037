"""Per-exchange variance of ln: published tables and moment matching, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument
from solver.pedigree import (
    Kind,
    compute_pedigree_variance,
    describe_multipliers,
    look_up_basic_variance,
    parse_pedigree_entry,
)

NAN = math.nan


def test_ecoinvent3_scores_add_their_variances() -> None:
    # (2;3;4;5;1): reliability 0.0006 + completeness 0.0006 + temporal 0.008 + geography 0.002 + 0.
    np.testing.assert_allclose(compute_pedigree_variance([[2, 3, 4, 5, 1]]), [0.0112], rtol=1e-12)
    np.testing.assert_allclose(compute_pedigree_variance([[5, 5, 5, 5, 5]]), [0.21], rtol=1e-12)
    np.testing.assert_allclose(compute_pedigree_variance([[0, 0, 0, 0, 0]]), [0.0])


def test_ciroth_factors_are_95_percent_factors() -> None:
    # U = GSD^2, sigma = ln(U) / 2: reliability 2 -> (ln 1.54 / 2)^2 = 0.04664; technology 5 -> 2.80.
    got = compute_pedigree_variance([[2, 1, 1, 1, 1], [1, 1, 1, 1, 5], [5, 1, 1, 1, 1]], "ciroth2016")
    np.testing.assert_allclose(got, [(math.log(1.54) / 2) ** 2, (math.log(2.8) / 2) ** 2,
                                     (math.log(1.69) / 2) ** 2], rtol=1e-12)
    assert got[0] == pytest.approx(0.0466, abs=1e-4)


def test_unknown_table_and_bad_scores_are_rejected() -> None:
    with pytest.raises(InvalidArgument, match="ecoinvent3"):
        compute_pedigree_variance([[1, 1, 1, 1, 1]], "v2")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="1 to 5"):
        compute_pedigree_variance([[6, 1, 1, 1, 1]])


def test_pedigree_entries_parse_in_openlca_order() -> None:
    assert parse_pedigree_entry("(1;2;3;4;5)") == (1, 2, 3, 4, 5)
    assert parse_pedigree_entry("(2;n.a.;1;1;3)") == (2, 0, 1, 1, 3)
    with pytest.raises(InvalidArgument, match="5 as"):
        parse_pedigree_entry("(1;2)")


def test_entries_of_other_dq_systems_are_reordered() -> None:
    # US EPA flow pedigree (FLCAC modules): reliability, temporal, geographical, technological,
    # data collection methods; "(2;3;1;1;4)" is reliability 2, completeness 4, temporal 3.
    epa = ["Flow Reliability", "Temporal Correlation", "Geographical Correlation",
           "Technological Correlation", "Data Collection Methods"]
    assert parse_pedigree_entry("(2;3;1;1;4)", epa) == (2, 4, 3, 1, 1)
    with pytest.raises(InvalidArgument, match="matches no pedigree indicator"):
        parse_pedigree_entry("(1;1)", ["Representativeness", "Precision"])


def test_basic_variance_table() -> None:
    assert look_up_basic_variance("air: CH4, NH3", "a") == 0.008
    assert look_up_basic_variance("air: PM2.5") == 0.3
    assert look_up_basic_variance("air: SO2", "p") == 0.0006  # no process value: the combustion one
    with pytest.raises(InvalidArgument, match="no basic uncertainty group"):
        look_up_basic_variance("air: unicorns")


def test_given_distributions_by_moment_matching() -> None:
    """Amount 2 (4 for the lognormal, whose GSD is scale-free):
    - lognormal GSD 1.2: sigma2 = ln(1.2)^2;
    - normal mean 2, sd 0.2: CV 0.1, sigma2 = ln(1.01);
    - triangular (1, 2, 3): mean 2, var (1 + 4 + 9 - 2 - 3 - 6) / 18 = 1/6, sigma2 = ln(1 + 1/24);
    - uniform (1, 3): mean 2, var 4 / 12 = 1/3, sigma2 = ln(1 + 1/12);
    - none, scores (2;2;2;2;2), basic 0.0006: 0.0006 + 0.0006 + 0.0001 + 0.0002 + 0.000025 + 0.0006."""
    m = describe_multipliers(
        [Kind.LOGNORMAL, Kind.NORMAL, Kind.TRIANGULAR, Kind.UNIFORM, Kind.NONE],
        [4.0, 2.0, 2.0, 2.0, 2.0],
        [[1.2, NAN, NAN], [2.0, 0.2, NAN], [1.0, 2.0, 3.0], [1.0, 3.0, NAN], [NAN, NAN, NAN]],
        scores=[[0] * 5] * 4 + [[2] * 5],
    )
    np.testing.assert_allclose(m.variance_ln, [math.log(1.2) ** 2, math.log(1.01), math.log(1 + 1 / 24),
                                               math.log(1 + 1 / 12), 0.002125], rtol=1e-12)
    assert m.kind.tolist() == [Kind.LOGNORMAL, Kind.NORMAL, Kind.TRIANGULAR, Kind.UNIFORM, Kind.LOGNORMAL]
    np.testing.assert_allclose(m.params[2], [0.5, 1.0, 1.5])  # relative to the amount
    np.testing.assert_allclose(m.params[[0, 4], 0], np.sqrt(m.variance_ln[[0, 4]]))


def test_negative_amounts_keep_relative_parameters_positive_and_zero_amounts_fail() -> None:
    m = describe_multipliers([Kind.TRIANGULAR], [-2.0], [[-3.0, -2.0, -1.0]])
    np.testing.assert_allclose(m.params[0], [1.5, 1.0, 0.5])
    np.testing.assert_allclose(m.variance_ln, [math.log(1 + 1 / 24)], rtol=1e-12)
    with pytest.raises(InvalidArgument, match="zero amount"):
        describe_multipliers([Kind.NORMAL], [0.0], [[0.0, 1.0, NAN]])
    with pytest.raises(InvalidArgument, match="invalid distribution"):
        describe_multipliers([Kind.LOGNORMAL], [1.0], [[-1.0, NAN, NAN]])
