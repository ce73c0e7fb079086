// SPDX-License-Identifier: Apache-2.0
// Checks the declarations that give names: the lead and event schemas, missing values, page
// groups, constants, predicates and behaviours (declared here, their bodies checked on use).
#include <fmt/format.h>

#include "compiler/check/checker.h"
#include "compiler/source/text.h"

namespace rubric::check {

namespace {

struct TypeName {
  const char* name;
  TypeKind kind;
};
constexpr TypeName kTypes[] = {{"bool", TypeKind::Bool},     {"int", TypeKind::Int},   {"number", TypeKind::Number},
                               {"string", TypeKind::String}, {"time", TypeKind::Time}, {"duration", TypeKind::Duration}};

}  // namespace

// Seconds per unit word, or 0 when the word is not a unit.
double unit_seconds(std::string_view u) {
  struct Unit {
    const char* one;
    const char* many;
    double secs;
  };
  static constexpr Unit kUnits[] = {{"second", "seconds", 1},          {"minute", "minutes", 60},
                                    {"millisecond", "milliseconds", 0.001},
                                    {"hour", "hours", 3600},           {"day", "days", 86400},
                                    {"week", "weeks", 7 * 86400},      {"month", "months", 30 * 86400},
                                    {"year", "years", 365 * 86400.0}};
  for (const Unit& x : kUnits)
    if (u == x.one || u == x.many) return x.secs;
  return 0;
}

std::vector<std::string> unit_words() {
  return {"milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "years"};
}

Type Checker::field_type(const ast::FieldDecl& f, double& unit) {
  Type t;
  if (f.type.is_enum) {
    EnumType& e = m_.enums.emplace_back();
    e.field = f.name;
    for (const ast::EnumValue& v : f.type.values) {
      if (e.index_of(v.name) >= 0) {
        error(diag::Kind::E0202, v.range, fmt::format("`{}` is listed twice in the values of `{}`", v.name, f.name));
        continue;
      }
      for (size_t k = 0; k < e.raw.size(); ++k)
        if (v.raw && e.raw[k] && text::iequals(*v.raw, *e.raw[k]))
          error(diag::Kind::E0202, v.range, fmt::format("the raw text {} is given to both `{}` and `{}`", text::json_string(*v.raw), e.values[k], v.name));
      if (v.fallback) {
        if (e.fallback >= 0) {
          error(diag::Kind::E0202, v.range, fmt::format("`{}` has two `otherwise` values", f.name));
          help("only one value can catch the raw values that are not listed");
        }
        e.fallback = static_cast<int>(e.values.size());
      }
      e.values.push_back(v.name);
      e.raw.push_back(v.raw);
    }
    t.kind = TypeKind::Enum;
    t.enum_type = &e;
    return t;
  }
  for (const TypeName& n : kTypes)
    if (f.type.name == n.name) t.kind = n.kind;
  if (t.kind == TypeKind::Error) {
    std::vector<std::string> names;
    for (const TypeName& n : kTypes) names.push_back(n.name);
    error(diag::Kind::E0203, f.type.range, fmt::format("`{}` is not a type", f.type.name));
    std::string best = suggest(f.type.name, names);
    if (f.type.name == "text" || f.type.name == "str") best = "string";
    if (f.type.name == "float" || f.type.name == "double" || f.type.name == "decimal") best = "number";
    if (f.type.name == "integer") best = "int";
    if (f.type.name == "boolean") best = "bool";
    if (f.type.name == "date" || f.type.name == "datetime" || f.type.name == "timestamp") best = "time";
    if (!best.empty()) help(fmt::format("did you mean `{}`?", best));
    else help("the types are bool, int, number, string, time, duration and enum {...}");
    return t;
  }
  if (!f.type.unit.empty()) {
    unit = unit_seconds(f.type.unit);
    if (t.kind == TypeKind::Time) {
      // Epoch times, common in event exports: `timestamp: time in milliseconds`.
      if (unit != 1 && unit != 0.001) {
        error(diag::Kind::E0205, f.type.unit_range,
              fmt::format("a time given as a number counts seconds or milliseconds since 1970, not {}", f.type.unit));
        help("write `time in seconds` or `time in milliseconds`, or `time` for dates like 2026-11-01T09:30:00Z");
        unit = 1;
      }
    } else if (t.kind != TypeKind::Duration) {
      error(diag::Kind::E0205, f.type.unit_range, fmt::format("only a duration has a unit, and `{}` is a {}", f.name, f.type.name));
    } else if (unit == 0) {
      error(diag::Kind::E0205, f.type.unit_range, fmt::format("`{}` is not a time unit", f.type.unit));
      std::string best = suggest(f.type.unit, unit_words());
      if (!best.empty()) help(fmt::format("did you mean `{}`?", best));
      unit = 1;
    }
  }
  return t;
}

void Checker::declare_names() {
  auto declare = [&](const std::string& name, SourceRange r) {
    auto [it, fresh] = declared_.emplace(name, r);
    if (!fresh) {
      error(diag::Kind::E0202, r, fmt::format("`{}` is declared twice", name));
      note(fmt::format("the first `{}` is on line {}", name, line_of(it->second)));
    }
    return fresh;
  };
  const ast::Decl* lead = nullptr;
  const ast::Decl* event = nullptr;
  const ast::Decl* total = nullptr;
  const ast::Decl* model = nullptr;
  auto once = [&](const ast::Decl*& slot, const ast::Decl& d, const char* what) {
    if (slot) {
      error(diag::Kind::E0406, d.range, fmt::format("a model has one {} section", what));
      note(fmt::format("the first is on line {}", line_of(slot->range)));
      return false;
    }
    slot = &d;
    return true;
  };
  for (const ast::Decl& d : in_.model->decls) {
    switch (d.kind) {
      case ast::DeclKind::Model:
        if (once(model, d, "`model`")) m_.name = d.name;
        break;
      case ast::DeclKind::Missing:
        m_.missing_values.insert(m_.missing_values.end(), d.strings.begin(), d.strings.end());
        break;
      case ast::DeclKind::DecimalComma: decimal_comma_ = true; break;
      case ast::DeclKind::Lead:
        once(lead, d, "`lead:`");
        break;
      case ast::DeclKind::Event:
        once(event, d, "`event:`");
        break;
      case ast::DeclKind::Pages:
        if (declare(d.name, d.name_range)) pages_[d.name] = &d;
        break;
      case ast::DeclKind::Const:
        if (declare(d.name, d.name_range)) consts_[d.name] = &d;
        break;
      case ast::DeclKind::Define:
        if (declare(d.name, d.name_range)) defines_[d.name] = &d;
        break;
      case ast::DeclKind::Behaviour:
        behaviours_.push_back(&d);
        break;
      case ast::DeclKind::Score:
        if (declare(d.name, d.name_range)) {
          scores_[d.name] = static_cast<int>(m_.scores.size());
          m_.scores.push_back({d.name, d.name_range, {}, {}, {}, {}});
        }
        break;
      case ast::DeclKind::Total:
        once(total, d, "`total`");
        break;
      case ast::DeclKind::Tiers:
        declare(d.name, d.name_range);
        break;
      case ast::DeclKind::Disqualify:
      case ast::DeclKind::Test:
        break;
    }
  }
  // Library behaviours come after the user's, so a model can redefine a standard one.
  for (const ast::Module* lib : in_.libraries) {
    library_modules_.insert(lib);
    for (const ast::Decl& d : lib->decls)
      if (d.kind == ast::DeclKind::Behaviour) behaviours_.push_back(&d);
  }
  if (!lead && !poisoned("lead") && !in_.syntax_errors) {
    error(diag::Kind::E0403, {in_.model->file, 0, 1}, "this model has no `lead:` section");
    help("start with `lead:` and one field per line, like `email: string`");
  }
  if (m_.scores.empty() && !poisoned("score") && !in_.syntax_errors) {
    error(diag::Kind::E0409, {in_.model->file, 0, 1}, "this model has no `score` section");
    help("add one, like `score fit:` followed by rules such as `employees > 500: +10`");
  }
}

void Checker::check_schema() {
  std::map<std::string, SourceRange> field_names;
  const ast::FieldDecl* event_key = nullptr;  // an `event:` field marked `key`
  // `skip_keys`: fields marked `key` are not fields of the schema (the events' lead key).
  auto add_fields = [&](const ast::Decl& d, Schema& schema, bool skip_keys) {
    for (const ast::FieldDecl& f : d.fields) {
      if (skip_keys && f.key) continue;
      if (schema.index_of(f.name) >= 0) {
        error(diag::Kind::E0202, f.name_range, fmt::format("`{}` is declared twice", f.name));
        continue;
      }
      Field out;
      out.name = f.name;
      out.column = f.column.value_or(f.name);
      out.type = field_type(f, out.unit_seconds);
      out.epoch = out.type.is(TypeKind::Time) && !f.type.unit.empty();
      // Numbers written 15 000,50: the field's option, or the model's `decimal comma` line.
      bool numeric = out.type.numeric() || out.type.is(TypeKind::Duration) || out.epoch;
      if (f.decimal_comma && !numeric && !out.type.is(TypeKind::Error))
        error(diag::Kind::E0309, f.name_range, fmt::format("`decimal comma` is for numbers, and `{}` is a {} field", f.name, type_name(out.type)));
      out.decimal_comma = numeric && (f.decimal_comma || decimal_comma_);
      out.optional = f.optional;
      out.missing = f.missing;
      out.range = f.range;
      schema.fields.push_back(std::move(out));
    }
  };
  for (const ast::Decl& d : in_.model->decls) {
    if (d.kind == ast::DeclKind::Lead && m_.lead.fields.empty()) {
      add_fields(d, m_.lead, false);
      for (size_t i = 0; i < d.fields.size() && i < m_.lead.fields.size(); ++i) {
        if (!d.fields[i].key) continue;
        if (m_.key_field >= 0) {
          error(diag::Kind::E0404, d.fields[i].name_range, "only one field can be the `key`");
          note(fmt::format("`{}` is already the key", m_.lead.fields[m_.key_field].name));
          continue;
        }
        m_.key_field = static_cast<int>(i);
      }
      // Output columns are named after the key, scores and tier sets: keep them apart.
      std::vector<std::pair<std::string, SourceRange>> columns;
      if (m_.key_field >= 0) columns.emplace_back(m_.lead.fields[m_.key_field].name, m_.lead.fields[m_.key_field].range);
      for (const ast::Decl& x : in_.model->decls)
        if (x.kind == ast::DeclKind::Score || x.kind == ast::DeclKind::Tiers) columns.emplace_back(x.name, x.name_range);
      for (const auto& [name, r] : columns) {
        bool reserved = name == "disqualified" || name == "error" || name == "explain" || (m_.key_field < 0 && name == "row");
        if (!reserved) continue;
        error(diag::Kind::E0202, r, fmt::format("`{}` is already a column of the output", name));
        help("choose another name");
      }
      for (const auto& f : m_.lead.fields)
        if (declared_.count(f.name)) {
          error(diag::Kind::E0202, f.range, fmt::format("`{}` is both a field and a declared name", f.name));
          note(fmt::format("the other `{}` is on line {}", f.name, line_of(declared_[f.name])));
        }
    }
    if (d.kind == ast::DeclKind::Event && m_.event.fields.empty()) {
      m_.has_events = true;
      // A field marked `key` names the column of a flat events file (`--events`) that holds the
      // event's lead key: it joins events to leads and is not an event field.
      const ast::FieldDecl* key = nullptr;
      for (const ast::FieldDecl& f : d.fields) {
        if (!f.key) continue;
        if (key) {
          error(diag::Kind::E0404, f.name_range, "only one event field can be the `key`");
          note(fmt::format("`{}` already names the events' lead key", key->name));
          continue;
        }
        key = &f;
        event_key = &f;
        m_.event_key_column = f.column.value_or(f.name);
        if (f.type.is_enum || (f.type.name != "string" && f.type.name != "int")) {
          error(diag::Kind::E0404, f.name_range, fmt::format("the events' `key` is read as text and must be a string or an int, not `{}`", f.type.name));
        } else if (f.optional) {
          error(diag::Kind::E0404, f.name_range, "the events' `key` cannot be optional: an event without its lead's key belongs to no lead");
        }
      }
      add_fields(d, m_.event, true);
      m_.event_kind_field = m_.event.index_of("kind");
      m_.event_time_field = m_.event.index_of("timestamp");
      bool kind_ok = m_.event_kind_field >= 0 && m_.event.fields[m_.event_kind_field].type.is(TypeKind::Enum);
      bool time_ok = m_.event_time_field >= 0 && m_.event.fields[m_.event_time_field].type.is(TypeKind::Time);
      if (!kind_ok || !time_ok) {
        error(diag::Kind::E0405, d.range,
              !kind_ok ? "the `event:` section needs a `kind` field that is an enum"
                       : "the `event:` section needs a `timestamp` field of type `time`");
        help("for example `kind: enum {page_view, email_open}` and `timestamp: time`");
        m_.has_events = false;
      }
    }
  }
  if (event_key && m_.key_field < 0) {
    error(diag::Kind::E0404, event_key->name_range, "an event `key` joins events to the lead's key, and `lead:` has no key field");
    help("mark the lead field that identifies a lead with `key`, for example `id: string key`");
  }
  if (m_.event_key_column.empty() && m_.key_field >= 0) m_.event_key_column = m_.lead.fields[m_.key_field].column;
}

}  // namespace rubric::check
