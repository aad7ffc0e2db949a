"""The claim helpers fail when a phrase or a printed number is not there."""

import pytest

from claims import assert_printed, assert_prose


def test_claim_helpers_find_what_is_there_and_fail_on_what_is_not():
    assert_printed("ngc", "D ln 2 = 44.3614195558")
    assert_prose("ngc", "Neural generative coding")
    with pytest.raises(AssertionError, match="no stored output prints"):
        assert_printed("ngc", "D ln 2 = 44.3614195559")
    with pytest.raises(AssertionError, match="no longer says"):
        assert_prose("ngc", "a sentence the chapter never wrote")
