// Everything public in one include.
#pragma once

#include "lwspp/address.hpp"
#include "lwspp/buffer.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/context.hpp"
#include "lwspp/error.hpp"
#include "lwspp/function.hpp"
#include "lwspp/log.hpp"
#include "lwspp/loop.hpp"
#include "lwspp/raw.hpp"
#include "lwspp/result.hpp"
#include "lwspp/timer.hpp"
#include "lwspp/udp.hpp"
#include "lwspp/version.hpp"
