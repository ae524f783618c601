// National figures for in-house foster carers that neither SSDA903 returns nor
// most councils' published figures give: how would-be carers become approved,
// and how often approved households leave. calibrate states each one it uses in
// the scenario's comments.
#pragma once

namespace carecast {

inline constexpr double kApplicationProbability = 0.12;  // councils convert about 12% of enquiries (Ofsted 2022-23)
inline constexpr double kApprovalProbability = 0.50;     // about half of applications approved [assumption]
inline constexpr double kApplicationLagMonths = 2;
inline constexpr double kApprovalLagMonths = 6;                 // approval takes 4-8 months
inline constexpr double kNationalDeregistrationPerYear = 0.14;  // Ofsted 2022-23: 5,125 of about 35,000 households

}  // namespace carecast
