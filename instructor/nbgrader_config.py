"""nbgrader configuration for a course on the ecgteach lessons (nbgrader >= 0.9.6).

Copy this file into an empty course folder and run every ``nbgrader`` command
there; ``instructor/GUIDE.md`` ("Grading") has the whole workflow. nbgrader's
layout, one assignment per lesson (the assignment is named after the lesson)::

    course/
      nbgrader_config.py                             this file
      source/01_meet_the_ecg/01_meet_the_ecg.ipynb   instructor/01_meet_the_ecg.ipynb, copied
      release/01_meet_the_ecg/01_meet_the_ecg.ipynb  nbgrader generate_assignment 01_meet_the_ecg
      submitted/<student>/01_meet_the_ecg/01_meet_the_ecg.ipynb   what a student hands in
      autograded/<student>/01_meet_the_ecg/          nbgrader autograde 01_meet_the_ecg
      feedback/<student>/01_meet_the_ecg/            nbgrader generate_feedback 01_meet_the_ecg
      gradebook.db                                   the scores (nbgrader.api.Gradebook)

The release notebook is the student lesson ``lessons/NN_name.ipynb`` (the same
cells and placeholders: ``# YOUR CODE HERE``, ``YOUR ANSWER HERE``), so it runs
end to end unanswered, as in class. Each ``ecgteach.check(...)`` cell is an
autograder test worth 1 point; each concept question (``**Q1.**`` ...) is a
manually graded answer worth 1 point.

Grading: this file sets ``ECGTEACH_GRADING=1`` in the environment of the nbgrader
command, and the kernels nbgrader starts inherit it. With it, ``ecgteach.check``
still shows its ✓ or hint, and then raises ``AssertionError`` (carrying the hint)
when the answer is not correct, so nbgrader scores that check cell 0. Without it,
in class, a check never raises. (A Jupyter server started in the course folder,
e.g. for nbgrader's formgrader, loads this file too: the kernels it starts grade
as well; open the lessons from another server.)
"""

import os

c = get_config()  # noqa: F821 (nbgrader provides it when it loads this file)

# -- the course -------------------------------------------------------------------------
c.CourseDirectory.course_id = "ecgteach"
# nbgrader's defaults, spelled out: the folders above sit in the course folder.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# -- generate_assignment: the placeholders of the student lessons --------------------------
# (nbgrader's default code stub adds ``raise NotImplementedError()``; the lessons'
# exercise cells run unanswered instead, and their check cell gives the hint)
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# -- autograde: a lesson trains small models in some cells -------------------------------
# seconds per cell (nbgrader's default is 30); a whole lesson takes under 1-2 minutes
c.Execute.timeout = 600

# -- grading mode for ecgteach.check (inherited by the kernels nbgrader starts) -------
os.environ["ECGTEACH_GRADING"] = "1"
