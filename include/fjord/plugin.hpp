// Operator plugins: a shared library that adds operators to a Fjord process at run time. It has
// exactly one entry point, written with FJORD_PLUGIN:
//
//   #include <fjord/plugin.hpp>
//   #include <fjord/operator_registry.hpp>
//
//   FJORD_PLUGIN(registry) {
//     fjord::operator_descriptor d;
//     d.name = "my_operator";
//     d.create = [] { return std::make_unique<my_operator>(); };
//     registry.add(std::move(d));
//   }
//
// Build it as a CMake MODULE library linked against Fjord::fjord. The macro defines the
// `extern "C"` function fjord_plugin_entry(), which returns a plugin_descriptor saying what the
// plugin was built against. The loader refuses a plugin whose ABI number, Fjord major.minor or
// C++ standard library ABI differs from its own; the patch version may differ.
//
// The registration function gets a registry of the plugin's own (not the global one), is called
// once per load, must add at least one operator and must not use names of built-in operators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <fjord/version.hpp>

namespace fjord {

class operator_registry;

}  // namespace fjord

/// The layout version of plugin_descriptor and the contract of fjord_plugin_entry(). Bump it
/// when a field after `abi_version` changes, moves or is added, or when the meaning of the entry
/// point or of a field changes. A loader accepts only its own number and reads nothing past
/// `abi_version` of a descriptor with another one.
#define FJORD_PLUGIN_ABI_VERSION 1

#define FJORD_PLUGIN_STRINGIFY_(x) #x
#define FJORD_PLUGIN_STRINGIFY(x) FJORD_PLUGIN_STRINGIFY_(x)

/// The compiler a plugin was built with (shown in error messages; not compared).
#if defined(__clang__)
#define FJORD_PLUGIN_COMPILER_NAME "clang " __clang_version__
#elif defined(__GNUC__)
#define FJORD_PLUGIN_COMPILER_NAME "GCC " __VERSION__
#else
#define FJORD_PLUGIN_COMPILER_NAME "unknown compiler"
#endif

/// The C++ standard library and its ABI (compared: std::string and std::function cross the
/// boundary between the plugin and libfjord.so, and their layout depends on it).
#if defined(_LIBCPP_VERSION)
#define FJORD_PLUGIN_STD_LIBRARY_ABI "libc++ abi " FJORD_PLUGIN_STRINGIFY(_LIBCPP_ABI_VERSION)
#define FJORD_PLUGIN_COMPILER                                                                   \
  FJORD_PLUGIN_COMPILER_NAME ", libc++ " FJORD_PLUGIN_STRINGIFY(_LIBCPP_VERSION)
#elif defined(__GLIBCXX__)
#if _GLIBCXX_USE_CXX11_ABI
#define FJORD_PLUGIN_STD_LIBRARY_ABI "libstdc++ cxx11-abi"
#else
#define FJORD_PLUGIN_STD_LIBRARY_ABI "libstdc++ pre-cxx11-abi"
#endif
#define FJORD_PLUGIN_COMPILER                                                                   \
  FJORD_PLUGIN_COMPILER_NAME ", libstdc++ " FJORD_PLUGIN_STRINGIFY(_GLIBCXX_RELEASE)
#else
#define FJORD_PLUGIN_STD_LIBRARY_ABI "unknown standard library"
#define FJORD_PLUGIN_COMPILER FJORD_PLUGIN_COMPILER_NAME
#endif

#if defined(__GNUC__)
#define FJORD_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define FJORD_PLUGIN_EXPORT
#endif

namespace fjord {

/// What fjord_plugin_entry() returns: plain data with a C layout, `abi_version` first so that
/// any loader can read it before it relies on the rest.
struct plugin_descriptor {
  std::uint32_t abi_version;  ///< FJORD_PLUGIN_ABI_VERSION of the plugin's headers
  std::uint32_t fjord_major;  ///< the Fjord version the plugin was compiled against
  std::uint32_t fjord_minor;
  std::uint32_t fjord_patch;
  const char* compiler;         ///< FJORD_PLUGIN_COMPILER, e.g. "GCC 12.2.0, libstdc++ 12"
  const char* std_library_abi;  ///< FJORD_PLUGIN_STD_LIBRARY_ABI
  void (*register_operators)(operator_registry& registry);
};

static_assert(std::is_standard_layout_v<plugin_descriptor> && std::is_trivial_v<plugin_descriptor>);
static_assert(offsetof(plugin_descriptor, abi_version) == 0);

/// The name of the entry point, for dlsym().
inline constexpr const char* plugin_entry_symbol = "fjord_plugin_entry";

using plugin_entry_function = const plugin_descriptor* (*)();

}  // namespace fjord

extern "C" FJORD_PLUGIN_EXPORT const fjord::plugin_descriptor* fjord_plugin_entry();

/// Defines the plugin's entry point; the braces that follow are the body of its registration
/// function, with `registry_name` the fjord::operator_registry& to add operators to. Use it
/// once per plugin. The version fields are those of the fjord/version.hpp it is compiled with.
#define FJORD_PLUGIN(registry_name)                                                            \
  static void fjord_plugin_register_operators(::fjord::operator_registry& registry_name);      \
  extern "C" FJORD_PLUGIN_EXPORT const ::fjord::plugin_descriptor* fjord_plugin_entry() {      \
    static constexpr ::fjord::plugin_descriptor descriptor{                                    \
      FJORD_PLUGIN_ABI_VERSION, FJORD_VERSION_MAJOR,   FJORD_VERSION_MINOR,                    \
      FJORD_VERSION_PATCH,      FJORD_PLUGIN_COMPILER, FJORD_PLUGIN_STD_LIBRARY_ABI,           \
      &fjord_plugin_register_operators};                                                       \
    return &descriptor;                                                                        \
  }                                                                                            \
  static void fjord_plugin_register_operators(                                                 \
    [[maybe_unused]] ::fjord::operator_registry& registry_name)
