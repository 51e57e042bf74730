#pragma once

// The message of an error thrown by the flag parser (Boost.Program_options), for
// spyt-launcher's flags and spyt-operator's alike.
//
// Boost builds its messages by substituting the offending flag's text into a template
// ("unrecognised option '%canonical_option%'") and repeats each substitution until its
// placeholder no longer occurs, so a flag whose own text holds a placeholder
// ("--a%canonical_option%") makes what() loop forever. This substitutes each placeholder
// of the template once and never searches the text it inserted: the same message
// otherwise, and an end for every input.
//
// Pure and thread-safe.

#include <exception>
#include <string>

namespace spyt::launcher {

// For an error of the flag parser, its message formatted as above; for any other
// exception, what().
std::string FlagParserMessage(const std::exception& e);

}  // namespace spyt::launcher
