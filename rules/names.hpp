// The JSON tree helpers moved to analyzer/names.hpp (the schema model needs them too); kept for the rules.
#pragma once

#include "analyzer/names.hpp"
