#include "actors/detail/ready_channels.hpp"

#include <stdexcept>
#include <string>

namespace fjord {

ready_channels::ready_channels(std::size_t channels)
  : queued_(channels, false), ring_(channels, 0) {
}

void ready_channels::push(std::size_t channel) {
  if (channel >= queued_.size())
    throw std::out_of_range("ready_channels: channel " + std::to_string(channel) + " of "
                            + std::to_string(queued_.size()));
  if (queued_[channel])
    return;
  queued_[channel] = true;
  ring_[(head_ + size_) % ring_.size()] = channel;
  ++size_;
}

std::optional<std::size_t> ready_channels::pop() {
  if (size_ == 0)
    return std::nullopt;
  auto channel = ring_[head_];
  head_ = (head_ + 1) % ring_.size();
  --size_;
  queued_[channel] = false;
  return channel;
}

}  // namespace fjord
