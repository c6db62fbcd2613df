// gradebook.hpp — what grading writes: Gradescope's results.json, the
// readable report of a submission, and the CSV gradebook of a batch.
//
// results.json follows Gradescope's autograder specification: top-level
// "score", "execution_time", "output" (the student's feedback), and "tests",
// one per test, each with "name", "score", "max_score", "status"
// ("passed"/"failed"), "output" and "visibility" ("visible" for visible
// tests; hidden tests default to "after_published"). A hidden test's output
// is only its short reason ("not implemented yet: relu (module 02)",
// "crashed ..."), never its assertions, which quote the hidden test.
#pragma once

#include <string>
#include <vector>

#include "grade.hpp"

namespace tito {

std::string results_json(const SubmissionGrade& grade, const GradingContext& context);

// The report of one submission: `for_student` leaves out what only the
// instructor may see (hidden test names and messages).
std::string grade_report(const SubmissionGrade& grade, const GradingContext& context, bool for_student);

// One row per submission, one column per module, the total and notes.
std::string gradebook_csv(const std::vector<SubmissionGrade>& grades, const std::vector<const Module*>& modules);

}  // namespace tito
