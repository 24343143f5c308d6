// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "./utils/Test.sol";
import {SettlementHandler} from "./handlers/SettlementHandler.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {ISettlement} from "../src/interfaces/ISettlement.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @notice Money and ordering invariants under random sequences of every action (see the handler):
 * - the contract holds exactly (so at least) holdings + bonds + pull balances, per token;
 * - each channel's holdings = deposits − claims − exits, and payouts never exceed deposits;
 * - a checkpoint version never decreases, a deadline never moves back nor past T0 + 2W;
 * - no accepted checkpoint leaves out a forced record older than the delay; no record appears once settling;
 * - the same with cooperative closes among the actions: a pushed payout is never above the leaf either;
 * - with censorship slashes interleaved: a bond is taken only for a record due at the checkpoint's time.
 */
contract ChannelSettlementInvariantTest is Test {
    SettlementHandler internal handler;
    ISettlement internal settlement;
    IERC20 internal token;

    function setUp() public {
        handler = new SettlementHandler();
        settlement = ISettlement(handler.settlementAddress());
        token = IERC20(handler.tokenAddress());

        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = handler.deposit.selector;
        selectors[1] = handler.depositEth.selector;
        selectors[2] = handler.bond.selector;
        selectors[3] = handler.propose.selector;
        selectors[4] = handler.propose.selector; // proposals and challenges twice as likely
        selectors[5] = handler.warp.selector;
        selectors[6] = handler.finalize.selector;
        selectors[7] = handler.claim.selector;
        selectors[8] = handler.exit.selector;
        selectors[9] = handler.withdraw.selector;
        selectors[10] = handler.slash.selector;
        selectors[11] = handler.releaseBond.selector;
        selectors[12] = handler.refund.selector;
        selectors[13] = handler.forceInclude.selector;
        selectors[14] = handler.closeTogether.selector;
        selectors[15] = handler.slashCensorship.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function _owedTotal(address tok) internal view returns (uint256 total) {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            total += settlement.owed(handler.actors(i), tok);
        }
    }

    function _holdingsTotal(address tok) internal view returns (uint256 total) {
        for (uint256 c = 0; c < 2; ++c) {
            total += settlement.holdings(handler.ids(c), tok);
        }
    }

    function _bondsTotal() internal view returns (uint256 total) {
        for (uint256 c = 0; c < 2; ++c) {
            for (uint256 i = 0; i < 3; ++i) {
                total += settlement.getParticipant(handler.ids(c), handler.participant(i)).bond;
            }
        }
    }

    function invariant_TokenBalanceCoversHoldingsAndPullBalances() public view {
        uint256 owedToAll = _holdingsTotal(address(token)) + _owedTotal(address(token));
        uint256 balance = token.balanceOf(address(settlement));
        vm.assertGe(balance, owedToAll, "solvent in the token");
        vm.assertEq(balance, owedToAll, "no token unaccounted for");
    }

    function invariant_EthBalanceCoversHoldingsBondsAndPullBalances() public view {
        uint256 owedToAll = _holdingsTotal(address(0)) + _bondsTotal() + _owedTotal(address(0));
        vm.assertGe(address(settlement).balance, owedToAll, "solvent in ETH");
        vm.assertEq(address(settlement).balance, owedToAll, "no ETH unaccounted for");
    }

    function invariant_HoldingsAreDepositsMinusPayouts() public view {
        address[2] memory toks = [address(token), address(0)];
        for (uint256 c = 0; c < 2; ++c) {
            bytes32 id = handler.ids(c);
            for (uint256 t = 0; t < 2; ++t) {
                uint256 deposited = handler.ghostDeposited(id, toks[t]);
                uint256 paid = handler.ghostPaidOut(id, toks[t]);
                vm.assertLe(paid, deposited, "payouts never exceed deposits");
                vm.assertEq(settlement.holdings(id, toks[t]), deposited - paid, "holdings identity");
            }
        }
    }

    /// @dev Nobody is paid before finalization, nor more than its leaf in the finalized checkpoint; a shortfall
    /// is recorded exactly.
    function invariant_NoPayoutAboveFinalLeafOrBeforeFinalization() public view {
        vm.assertEq(handler.paidAboveLeaf(), 0, "paid above the final leaf");
        vm.assertEq(handler.paidBeforeFinal(), 0, "paid before finalization");
    }

    /// @dev No bond leaves while evidence may still arrive, and evidence is refused only after that.
    function invariant_BondsLockedWhileEvidenceMayArrive() public view {
        vm.assertEq(handler.releasedWhileLocked(), 0, "bond released inside the evidence window");
        vm.assertEq(handler.unexpectedReverts(), 0, "slash or release refused outside the rule");
    }

    function invariant_VersionNeverDecreases() public view {
        vm.assertEq(handler.versionDecreases(), 0, "version decreased");
    }

    function invariant_DeadlineMonotonicAndCapped() public view {
        vm.assertEq(handler.deadlineDecreases(), 0, "deadline moved back");
        vm.assertEq(handler.capViolations(), 0, "deadline beyond cap seen");
        for (uint256 c = 0; c < 2; ++c) {
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(handler.ids(c));
            if (info.status == IChannelSettlement.Status.Open) continue;
            vm.assertLe(info.deadline, info.firstProposalAt + 2 * info.disputeWindow, "deadline within cap");
        }
    }

    function invariant_ForcedRecordsIncludedAfterTheDelay() public view {
        vm.assertEq(handler.overdueForcedAccepted(), 0, "checkpoint accepted without an overdue forced record");
        vm.assertEq(handler.forcedAfterOpen(), 0, "forced record added while settling");
    }

    /// @dev Censorship evidence takes a bond only when the record left out was due at the checkpoint's time.
    function invariant_CensorshipSlashOnlyWhenDue() public view {
        vm.assertEq(handler.censorshipSlashedEarly(), 0, "censorship slashed before the record was due");
    }

    /// @dev Prints how often each action ran (visible with -vv), to keep an eye on coverage.
    function afterInvariant() public view {
        string[25] memory names = [
            "deposit",
            "depositEth",
            "bond",
            "propose",
            "propose (reverted)",
            "warp",
            "finalize",
            "claim",
            "claim (reverted)",
            "exit",
            "exit (reverted)",
            "withdraw",
            "slash",
            "slash (window closed)",
            "releaseBond",
            "releaseBond (locked)",
            "refund",
            "forceInclude",
            "forceInclude (reverted)",
            "closeTogether (paid out)",
            "closeTogether (claims)",
            "closeTogether (reverted)",
            "slashCensorship",
            "slashCensorship (window closed)",
            "slashCensorship (not due)"
        ];
        for (uint256 i = 0; i < 25; ++i) {
            console.log(names[i], handler.calls(names[i]));
        }
    }
}
