// SPDX-License-Identifier: Apache-2.0
// Asio, Asio.SSL and Beast compiled once for the whole program (BOOST_*_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
