// One episode of heavy use of a scope, kept by the daemon (not by each client), so that the
// notice "calls are running at N% of the limit" is printed once per episode across every
// process: an episode starts when utilization goes above 60% and the next one can start only
// after utilization has dropped below 45% (hysteresis: no flicker around the threshold).
#pragma once

namespace ri::ratelimit {

class BusyEpisode {
  public:
    static constexpr double starts_above = 0.60;
    static constexpr double rearms_below = 0.45;

    // Feeds the utilization seen at a grant; true when this grant starts an episode.
    bool observe(double utilization) {
        if (!active_ && utilization > starts_above) return active_ = true;
        if (active_ && utilization < rearms_below) active_ = false;
        return false;
    }
    bool active() const { return active_; }

  private:
    bool active_ = false;
};

}  // namespace ri::ratelimit
