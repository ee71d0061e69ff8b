/* placeholder until the model lands */
#include "basin/model.h"
const basin_model model_langevin = {.kind = "langevin", .version = "0", .summary = "placeholder"};
