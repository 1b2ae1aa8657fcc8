// Test support for GPU tests: skip (with the reason printed) when no usable Hopper GPU is present.
#pragma once

#include <gtest/gtest.h>

#include "kernels/device.h"

#define DEEPSIM_REQUIRE_GPU()                                                   \
  do {                                                                          \
    static const auto deepsim_dev_ = ::deepsim::kernels::query_device();        \
    if (!deepsim_dev_.available) GTEST_SKIP() << "GPU test skipped: " << deepsim_dev_.reason; \
  } while (false)
