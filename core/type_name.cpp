// type_name (core/type_name.h): demangle once per type and keep the string.
#include <ember/core/type_name.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace ember {

const char* type_name(const std::type_info& type) {
  static std::mutex mutex;
  static std::set<std::string> names;  // stable storage for the returned pointers
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                   std::free);
  std::string name = status == 0 && demangled ? demangled.get() : type.name();
  // Drop namespaces, but not inside template arguments.
  const size_t template_start = name.find('<');
  const size_t colon = name.rfind("::", template_start);
  if (colon != std::string::npos) name = name.substr(colon + 2);
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}

}  // namespace ember
