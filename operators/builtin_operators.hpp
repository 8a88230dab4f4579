// Descriptors of the built-in operators, one per file in operators/. The registry
// (operator_registry.cpp) collects them in register_builtin_operators(); tests may use them
// directly to build a registry of their own.
#pragma once

#include "fjord/operator_registry.hpp"

namespace fjord {

operator_descriptor sequence_source_descriptor();         // "sequence"
operator_descriptor file_lines_source_descriptor();       // "file_lines"
operator_descriptor keyed_sum_descriptor();               // "keyed_sum"
operator_descriptor tokenize_descriptor();                // "tokenize"
operator_descriptor word_count_descriptor();              // "word_count"
operator_descriptor stdout_sink_descriptor();             // "stdout"
operator_descriptor transactional_file_sink_descriptor(); // "transactional_file"

}  // namespace fjord
